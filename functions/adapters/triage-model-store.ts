import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { buckets } from '#definitions/resources';
import type { ModelMetrics, TriageModel } from '#core/triage-model';
import { dynamo } from './dynamo.ts';
import { keys } from './keys.ts';
import { s3Client, type S3Options } from './mail-objects.ts';

/**
 * The triage model's store: every model trained is a JSON object in the mail
 * bucket under `models/triage/` (kept: earlier versions stay), and one item in
 * the table says which is in use. Publishing is a conditional write on that
 * item's `seq`, so of two retrains that read the same model in use, one wins.
 */

export interface TriageModelSummary {
  version: string;
  key: string;
  trainedAt: string;
  examples: number;
  /** Department accuracy on the desk's held-out tickets (cross-validation), when measured. */
  accuracy: number | null;
}

export interface TriageModelPointer extends TriageModelSummary {
  /** Moves by one at every publish: the condition two retrains race on. */
  seq: number;
  metrics: ModelMetrics;
  /** The models in use before this one, newest first (bounded by the retrain: functions/app/retrain-triage.ts). */
  history: TriageModelSummary[];
}

export const TRIAGE_MODEL_PREFIX = `${buckets.mail.prefixes.models}`;

/** The S3 key of a new model: its sequence number first (listing sorts by it), a random part so two racing retrains never overwrite each other. */
export const triageModelKey = (seq: number) => `${TRIAGE_MODEL_PREFIX}v${String(seq).padStart(6, '0')}-${randomUUID().slice(0, 8)}.json`;

export function triageModelStore(tableName: string, bucket: string, options: S3Options) {
  const s3 = s3Client(options);
  return {
    /** The pointer, read strongly: a publish compares against what it read. */
    async inUse(): Promise<TriageModelPointer | null> {
      const res = await dynamo.send(new GetCommand({ TableName: tableName, Key: keys.triageModelInUse(), ConsistentRead: true }));
      if (!res.Item) return null;
      const { pk: _pk, sk: _sk, type: _type, ...pointer } = res.Item;
      return pointer as TriageModelPointer;
    },

    /** A stored model's JSON, parsed (prepareTriageModel checks it). */
    async read(key: string): Promise<unknown> {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return JSON.parse(await res.Body!.transformToString('utf-8'));
    },

    /** Stores a model (not yet in use); answers its key. */
    async write(seq: number, model: TriageModel): Promise<string> {
      const key = triageModelKey(seq);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(model), ContentType: 'application/json' }));
      return key;
    },

    /** Puts a model in use if the pointer still has `expectedSeq` (null: no model in use yet). False when another publish got there first. */
    async publish(pointer: TriageModelPointer, expectedSeq: number | null): Promise<boolean> {
      try {
        await dynamo.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.triageModelInUse(), type: 'triage-model', ...pointer },
            ConditionExpression: expectedSeq === null ? 'attribute_not_exists(pk)' : 'seq = :expected',
            ...(expectedSeq === null ? {} : { ExpressionAttributeValues: { ':expected': expectedSeq } }),
          }),
        );
        return true;
      } catch (err) {
        if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
        throw err;
      }
    },
  };
}

export type TriageModelStore = ReturnType<typeof triageModelStore>;
