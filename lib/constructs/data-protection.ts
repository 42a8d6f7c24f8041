import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { buckets } from '../definitions/resources.ts';
import { ApiFunction } from './api-function.ts';

/**
 * Data protection beyond encryption: the erasure of one requester's personal
 * data (POST /admin/erasures) and the retention purge of closed tickets.
 * Both delete, and nothing else in the stack may: DeleteItem and
 * BatchWriteItem on the table (never its indexes), DeleteObject on the mail
 * bucket's three prefixes only.
 */

/** Where a ticket's objects live: raw mail (SES), files from mail, files agents upload. */
const objectPrefixes = [buckets.mail.prefixes.inbound, buckets.mail.prefixes.attachments, buckets.mail.prefixes.uploads];

/** The table writes that delete: on the table itself, not its indexes. */
export const deleteActions = ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;

/** Lets a function delete a ticket's items and its objects in the mail bucket. */
export function grantTicketDeletion(fn: ApiFunction, table: ITable, bucket: Bucket): void {
  fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: [...deleteActions], resources: [table.tableArn] }));
  fn.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:DeleteObject'], resources: objectPrefixes.map((p) => bucket.arnForObjects(`${p}*`)) }));
  const bucketLogicalId = Stack.of(fn).getLogicalId(bucket.node.defaultChild as CfnBucket);
  NagSuppressions.addResourceSuppressions(
    fn.role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "A ticket's objects are keyed per mail and per file (inbound/<SES id>, attachments/<ticket>/<message>/<name>, " +
          'uploads/<ticket>/<random>/<name>): DeleteObject covers those three prefixes of the mail bucket, nothing else.',
        appliesTo: objectPrefixes.map((p) => `Resource::<${bucketLogicalId}.Arn>/${p}*`),
      },
    ],
    true,
  );
}

export interface RetentionPurgeProps {
  readonly table: ITable;
  readonly bucket: Bucket;
  /** Closed tickets older than this many days are deleted (report counters stay). */
  readonly closedTicketDays: number;
}

/**
 * The daily purge of tickets closed more than `closedTicketDays` ago
 * (functions/maintenance/purge-closed-tickets.ts). It finds them on the
 * status index and deletes them with what they own; it reads nothing else.
 */
export class RetentionPurge extends Construct {
  readonly function: ApiFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: RetentionPurgeProps) {
    super(scope, id);
    this.function = new ApiFunction(this, 'PurgeClosedTickets', {
      entry: 'maintenance/purge-closed-tickets.ts',
      description: `Retention: deletes tickets closed more than ${props.closedTicketDays} days ago`,
      timeout: Duration.minutes(5),
      environment: {
        TABLE_NAME: props.table.tableName,
        MAIL_BUCKET: props.bucket.bucketName,
        CLOSED_TICKET_DAYS: String(props.closedTicketDays),
      },
    });
    const role = this.function.role;
    // The ticket's partition (Query on the table) and closed tickets (Query on the status index), then deletes.
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [props.table.tableArn, `${props.table.tableArn}/index/status`] }));
    grantTicketDeletion(this.function, props.table, props.bucket);

    // Daily, at a quiet hour (UTC).
    this.rule = new Rule(this, 'Daily', {
      description: 'Runs the closed-ticket retention purge once a day',
      schedule: Schedule.cron({ minute: '30', hour: '3' }),
      targets: [new LambdaFunction(this.function.fn, { retryAttempts: 2 })],
    });
  }
}
