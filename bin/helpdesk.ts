#!/usr/bin/env node
import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PolicyError } from '../functions/core/policy.ts';
import { ConfigError, loadConfig } from '../lib/config.ts';
import { HelpdeskStack } from '../lib/helpdesk-stack.ts';

const app = new App();
try {
  const config = loadConfig(app.node);
  new HelpdeskStack(app, `Helpdesk-${config.stage}`, {
    config,
    description: `Serverless help desk (${config.stage})`,
    // Environment-agnostic unless the CLI has an account/region: synth works offline.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (err) {
  // A configuration mistake is the operator's to fix: say what is wrong, without a stack trace.
  if (err instanceof ConfigError || err instanceof PolicyError) {
    console.error(`${err.name}: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

// cdk-nag: every AwsSolutions finding is either fixed or acknowledged with a reason.
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
