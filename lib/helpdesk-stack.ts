import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { HelpdeskConfig } from './config.ts';
import { Auth } from './constructs/auth.ts';
import { Data } from './constructs/data.ts';
import { HelpdeskHttpApi } from './constructs/http-api.ts';
import { MailResources } from './constructs/mail-resources.ts';
import type { RouteDefinition } from './definitions/routes.ts';

export interface HelpdeskStackProps extends StackProps {
  readonly config: HelpdeskConfig;
  /** Defaults to the shared route table. */
  readonly routes?: readonly RouteDefinition[];
}

export class HelpdeskStack extends Stack {
  readonly data: Data;
  readonly auth: Auth;
  readonly httpApi: HelpdeskHttpApi;
  readonly mail: MailResources;

  constructor(scope: Construct, id: string, props: HelpdeskStackProps) {
    super(scope, id, props);
    const { config } = props;

    Tags.of(this).add('app', 'helpdesk');
    Tags.of(this).add('stage', config.stage);

    this.data = new Data(this, 'Data');
    this.auth = new Auth(this, 'Auth');
    this.httpApi = new HelpdeskHttpApi(this, 'Http', {
      config,
      table: this.data.table,
      jwtIssuer: this.auth.issuer,
      jwtAudience: [this.auth.client.userPoolClientId],
      ...(props.routes !== undefined && { routes: props.routes }),
    });
    this.mail = new MailResources(this, 'Mail');

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.client.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });

  }
}
