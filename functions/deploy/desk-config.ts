import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { z } from 'zod';
import { applyDeskConfig } from '#adapters/desk-config';
import { defaultCannedResponses } from '#core/default-canned-responses';
import { configFor } from '#shared/config';
import { logger } from '#shared/logger';
import { observed } from '#shared/observability';

const config = await configFor('DeskConfig');

/** The stack passes the configured departments as one JSON string (CloudFormation stringifies values anyway). */
const departments = z
  .array(
    z.strictObject({
      id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
      name: z.strictObject({ en: z.string().min(1).max(80), 'pt-BR': z.string().min(1).max(80) }),
      kind: z.enum(['internal', 'external']),
      restricted: z.boolean().optional(),
    }),
  )
  .max(50);

/** Always the same: an update never replaces the resource, so CloudFormation never sends a Delete for the old one. */
export const physicalResourceId = 'helpdesk-desk-config';

/**
 * Custom resource (behind the CDK Provider framework): on create and on every update, makes the
 * table's departments and default canned responses match cdk.json (see adapters/desk-config.ts).
 * On delete it does nothing: the table is retained with the stack, and so are its desks.
 */
export const handler = observed(async (event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }> => {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const configured = departments.parse(JSON.parse(String(event.ResourceProperties.Departments)));
  const result = await applyDeskConfig(config.tableName, configured, defaultCannedResponses);
  logger.info('desk configuration applied', { ...result });
  return {
    PhysicalResourceId: physicalResourceId,
    Data: { Departments: result.departments.join(','), Deactivated: result.deactivated.join(',') },
  };
});
