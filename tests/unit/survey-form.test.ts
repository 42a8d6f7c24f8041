/**
 * The survey form (POST /survey/comment) is read with surveyFormSchema, the schema the
 * manifest names for the API document: what it accepts and refuses, and how a rating
 * and a comment box become the answer the survey records.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { readSurveyForm } from '../../functions/app/survey-answer.ts';
import { formLimits } from '../../functions/core/customer-forms.ts';
import { COMMENT_MAX_LENGTH } from '../../functions/core/customer-pages.ts';

const post = (fields: Record<string, string> | string, over: Partial<APIGatewayProxyEventV2> = {}) =>
  readSurveyForm({
    body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
    isBase64Encoded: false,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    ...over,
  } as APIGatewayProxyEventV2);

describe('the survey form', () => {
  it('the rating page: a token and a rating, with or without a comment', () => {
    expect(post({ token: 't.k', rating: '4' })).toEqual({ token: 't.k', rating: 4 });
    expect(post({ token: 't.k', rating: '5', comment: '  Rápido\r\ne gentil  ' })).toEqual({ token: 't.k', rating: 5, comment: 'Rápido\ne gentil' });
    // Sent with a rating, an empty comment box is no comment, not an erasure of the one given.
    expect(post({ token: 't.k', rating: '3', comment: '   ' })).toEqual({ token: 't.k', rating: 3 });
  });

  it('the thank-you page: a comment alone, where an empty box does clear the comment', () => {
    expect(post({ token: 't.k', comment: 'Obrigado' })).toEqual({ token: 't.k', comment: 'Obrigado' });
    expect(post({ token: 't.k', comment: '' })).toEqual({ token: 't.k', comment: '' });
    expect(post({ token: 't.k' })).toEqual({ token: 't.k' });
  });

  it('refuses what is not such a form', () => {
    expect(post({ rating: '5' })).toBeUndefined();
    expect(post({ token: '', rating: '5' })).toBeUndefined();
    for (const rating of ['0', '6', '', '4.5', ' 4']) expect(post({ token: 't.k', rating }), rating).toBeUndefined();
    expect(post({ token: 't.k', comment: 'x'.repeat(COMMENT_MAX_LENGTH + 1) })).toBeUndefined();
    expect(post('token=t.k&rating=5', { headers: { 'content-type': 'application/json' } })).toBeUndefined();
    expect(post(`token=t.k&comment=${'x'.repeat(formLimits.requestBytes)}`)).toBeUndefined();
  });

  it('measures the comment once trimmed, reads the first of a repeated field, ignores fields it does not name, and takes base64', () => {
    expect(post({ token: 't.k', comment: ` ${'x'.repeat(COMMENT_MAX_LENGTH)}\n\n` })).toEqual({ token: 't.k', comment: 'x'.repeat(COMMENT_MAX_LENGTH) });
    expect(post('token=a&token=b&rating=2&rating=9')).toEqual({ token: 'a', rating: 2 });
    expect(post({ token: 't.k', rating: '1', send: 'Send' })).toEqual({ token: 't.k', rating: 1 });
    expect(post(Buffer.from('token=t.k&rating=2&comment=%C3%93timo').toString('base64'), { isBase64Encoded: true })).toEqual({ token: 't.k', rating: 2, comment: 'Ótimo' });
  });
});
