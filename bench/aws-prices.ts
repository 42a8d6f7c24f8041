/**
 * Public on-demand AWS prices used by `npm run bench:cost`, for one region.
 *
 * Taken 2026-11 from the pricing pages named beside each price, as published
 * and as remembered: this project's machines have no internet access, so not
 * one of these figures was re-read online when it was written down. Check each
 * against its page before quoting a bill (`checked` says so on every price).
 * Free tiers are listed for reference only: the cost model never subtracts them.
 */
export const region = 'us-east-1';
export const currency = 'USD';

export interface Price {
  /** USD per `per` units of `unit`. */
  usd: number;
  per: number;
  unit: string;
  url: string;
  checked: string;
  /** Monthly free tier, for reference; never subtracted. */
  freeTier?: string;
}

const CHECKED = 'as published, taken 2026-11; not re-checked online (no network here): verify before use';
const p = (usd: number, per: number, unit: string, url: string, freeTier?: string): Price => ({ usd, per, unit, url, checked: CHECKED, ...(freeTier ? { freeTier } : {}) });

const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const SES = 'https://aws.amazon.com/ses/pricing/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';

export const prices = {
  // ---------------------------------------------------------------- per use
  httpApiRequest: p(1.0, 1_000_000, 'HTTP API request (first 300 M/month; each 512 KB counts as one)', 'https://aws.amazon.com/api-gateway/pricing/', '1 M requests/month for 12 months (new accounts)'),
  lambdaRequest: p(0.2, 1_000_000, 'Lambda request', LAMBDA, '1 M requests/month'),
  lambdaGbSecondArm: p(0.0000133334, 1, 'Lambda GB-second, arm64', LAMBDA, '400,000 GB-s/month'),
  dynamoWriteUnit: p(0.625, 1_000_000, 'DynamoDB on-demand write request unit', DYNAMODB),
  dynamoReadUnit: p(0.125, 1_000_000, 'DynamoDB on-demand read request unit', DYNAMODB),
  stateTransition: p(0.025, 1_000, 'Step Functions Standard state transition', 'https://aws.amazon.com/step-functions/pricing/', '4,000 transitions/month'),
  sqsRequest: p(0.4, 1_000_000, 'SQS standard request (each 64 KB chunk)', 'https://aws.amazon.com/sqs/pricing/', '1 M requests/month'),
  snsPublish: p(0.5, 1_000_000, 'SNS standard publish (each 64 KB chunk; delivery to SQS free)', 'https://aws.amazon.com/sns/pricing/', '1 M publishes/month'),
  sesOutbound: p(0.1, 1_000, 'SES outbound message (per recipient)', SES),
  sesInboundMail: p(0.1, 1_000, 'SES inbound message', SES),
  sesInboundChunk: p(0.09, 1_000, 'SES inbound 256 KB chunk', SES),
  s3Put: p(0.005, 1_000, 'S3 Standard PUT/COPY/POST/LIST request', S3),
  s3Get: p(0.0004, 1_000, 'S3 Standard GET and other requests', S3),
  secretsApiCall: p(0.05, 10_000, 'Secrets Manager API call', 'https://aws.amazon.com/secrets-manager/pricing/'),
  logIngestGb: p(0.5, 1, 'CloudWatch Logs ingestion, GB (standard / vended first tier)', CLOUDWATCH, '5 GB/month'),
  xrayTrace: p(5.0, 1_000_000, 'X-Ray trace recorded', 'https://aws.amazon.com/xray/pricing/', '100,000 traces/month'),
  // ---------------------------------------------------------------- per month, kept
  dynamoStorageGbMonth: p(0.25, 1, 'DynamoDB Standard storage, GB-month', DYNAMODB, '25 GB'),
  dynamoPitrGbMonth: p(0.2, 1, 'DynamoDB point-in-time recovery, GB-month', DYNAMODB),
  s3StorageGbMonth: p(0.023, 1, 'S3 Standard storage, GB-month (first 50 TB)', S3, '5 GB for 12 months'),
  logStorageGbMonth: p(0.03, 1, 'CloudWatch Logs storage, GB-month (compressed)', CLOUDWATCH),
  // ---------------------------------------------------------------- fixed, per month
  cognitoPlusMau: p(0.02, 1, 'Cognito Plus monthly active user', 'https://aws.amazon.com/cognito/pricing/', 'none on the Plus plan'),
  kmsKeyMonth: p(1.0, 1, 'KMS customer managed key, month', 'https://aws.amazon.com/kms/pricing/'),
  secretMonth: p(0.4, 1, 'Secrets Manager secret, month', 'https://aws.amazon.com/secrets-manager/pricing/'),
  alarmMonth: p(0.1, 1, 'CloudWatch standard-resolution alarm (per metric), month', CLOUDWATCH, '10 alarms'),
  dashboardMonth: p(3.0, 1, 'CloudWatch dashboard, month', CLOUDWATCH, '3 dashboards (up to 50 metrics each)'),
  customMetricMonth: p(0.3, 1, 'CloudWatch custom metric (EMF), month (first 10,000)', CLOUDWATCH, '10 metrics'),
  cloudFrontGbOut: p(0.085, 1, 'CloudFront data out, GB (North America, first 10 TB)', 'https://aws.amazon.com/cloudfront/pricing/', '1 TB and 10 M requests/month, always'),
  cloudFrontHttpsRequest: p(0.01, 10_000, 'CloudFront HTTPS request', 'https://aws.amazon.com/cloudfront/pricing/', '10 M requests/month, always'),
} satisfies Record<string, Price>;

export type PriceName = keyof typeof prices;
export type Prices = Record<PriceName, Price>;

/** USD for `units` of a price. */
export const usd = (price: Price, units: number) => (units * price.usd) / price.per;
