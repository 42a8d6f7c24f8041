import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DomainError, NotFoundError } from '#core/errors';

/**
 * The agents' user pool, through Cognito's admin API. Only the admin routes use
 * it, and each one's role allows only the calls its manifest entry names (lib/definitions/functions.ts, userPool).
 * Locally the same calls reach the local user pool (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER).
 */
export class UserExistsError extends DomainError {
  constructor() {
    super('agent_exists', 'An agent with this email already exists');
  }
}

export interface DirectoryUser {
  /** Cognito's username: the user's sub in a pool whose usernames are emails. */
  username: string;
  enabled: boolean;
  /** CONFIRMED, FORCE_CHANGE_PASSWORD (invited, first sign-in pending), … */
  status: string;
}

const errorName = (err: unknown) => (err as { name?: string })?.name;

/** Cognito's answers for a missing user or a bad parameter become domain errors (404, 400); the rest stay unexpected. */
function translate(err: unknown): never {
  const name = errorName(err);
  if (name === 'UserNotFoundException') throw new NotFoundError('Agent');
  if (name === 'UsernameExistsException') throw new UserExistsError();
  if (name === 'InvalidParameterException') throw new DomainError('invalid_agent', 'The user directory refused the agent: check the email address');
  throw err;
}

export function userDirectory(userPoolId: string, client?: CognitoIdentityProviderClient) {
  // Made on first use: local mode sets the endpoint variable once its user pool listens.
  let cognito = client;
  const send = async <T>(run: (c: CognitoIdentityProviderClient) => Promise<T>): Promise<T> => {
    cognito ??= new CognitoIdentityProviderClient({ maxAttempts: 3 });
    try {
      return await run(cognito);
    } catch (err) {
      return translate(err);
    }
  };
  const user = (email: string) => ({ UserPoolId: userPoolId, Username: email });

  return {
    /**
     * Creates the user; Cognito mails the invitation with a temporary password
     * (default MessageAction). The email is marked verified, so it can be used to
     * recover the account. A user that exists is a UserExistsError.
     */
    async invite(email: string, name: string): Promise<DirectoryUser> {
      const res = await send((c) =>
        c.send(
          new AdminCreateUserCommand({
            ...user(email),
            UserAttributes: [
              { Name: 'email', Value: email },
              { Name: 'email_verified', Value: 'true' },
              { Name: 'name', Value: name },
            ],
            DesiredDeliveryMediums: ['EMAIL'],
          }),
        ),
      );
      return { username: res.User?.Username ?? email, enabled: res.User?.Enabled ?? true, status: res.User?.UserStatus ?? 'FORCE_CHANGE_PASSWORD' };
    },

    /** The user as Cognito has it; undefined when there is none. */
    async get(email: string): Promise<DirectoryUser | undefined> {
      try {
        const res = await send((c) => c.send(new AdminGetUserCommand(user(email))));
        return { username: res.Username ?? email, enabled: res.Enabled ?? true, status: res.UserStatus ?? 'UNKNOWN' };
      } catch (err) {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      }
    },

    /** Both are idempotent: adding a member or removing a non-member changes nothing. */
    async addToGroup(email: string, group: string): Promise<void> {
      await send((c) => c.send(new AdminAddUserToGroupCommand({ ...user(email), GroupName: group })));
    },
    async removeFromGroup(email: string, group: string): Promise<void> {
      await send((c) => c.send(new AdminRemoveUserFromGroupCommand({ ...user(email), GroupName: group })));
    },

    /** Disables the user and revokes their refresh tokens: no new sign-in, no renewed session. */
    async disable(email: string): Promise<void> {
      await send((c) => c.send(new AdminDisableUserCommand(user(email))));
      await send((c) => c.send(new AdminUserGlobalSignOutCommand(user(email))));
    },
    async enable(email: string): Promise<void> {
      await send((c) => c.send(new AdminEnableUserCommand(user(email))));
    },
  };
}

export type UserDirectory = ReturnType<typeof userDirectory>;
