import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 as Result } from 'aws-lambda';
import { customerProblemPage, pageHeaders, pageLanguage, type CustomerProblem, type PageLanguage } from '#core/customer-pages';
import type { FormProblem } from '#core/customer-forms';

/**
 * What every customer page handler shares: the page language from the
 * browser, problem pages in the desk's name, and HTML responses with the
 * strict page headers. Customers get pages, never JSON or a stack trace.
 */

/** The web form's path: where a problem page sends the customer to start again. */
export const HELP_PATH = '/help';

export const html = (statusCode: number, body: string, headers: Record<string, string> = {}): Result => ({ statusCode, headers: { ...pageHeaders, ...headers }, body });

export const acceptLanguage = (event: APIGatewayProxyEventV2): string | undefined => event.headers?.['accept-language'];

/** The browser's language (Accept-Language), unless `preferred` (a ticket's or the form's language) says otherwise. */
export const browserLanguage = (event: APIGatewayProxyEventV2, preferred?: string | null): PageLanguage => pageLanguage(preferred, acceptLanguage(event));

/** The problem pages of a desk (its name, DESK_NAME, from the handler's configuration). */
export const problemPages =
  (deskName: string) =>
  (statusCode: number, lang: PageLanguage, problem: CustomerProblem, helpUrl?: string, headers?: Record<string, string>): Result =>
    html(statusCode, customerProblemPage({ lang, deskName, problem, ...(helpUrl !== undefined ? { helpUrl } : {}) }), headers);

/** The status for a body that is not a form we can read: too big 413, not a form 415, unreadable 400. */
export const formProblemStatus: Record<FormProblem, number> = { too_large: 413, unsupported_type: 415, bad_form: 400 };
