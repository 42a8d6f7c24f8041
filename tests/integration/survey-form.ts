/**
 * A person answering the survey as a browser with no script would: open the
 * link from the mail (a page, which records nothing), then press its button,
 * which posts the form as it stands (the link's rating pre-selected, unless
 * `choose` picks another).
 */
export interface SurveyPage {
  status: number;
  html: string;
  action: string;
  fields: Record<string, string>;
}

/** GET a survey link and read its form: where it posts and what it would send. */
export async function openSurveyLink(link: string, headers: Record<string, string> = {}): Promise<SurveyPage> {
  const res = await fetch(link, { headers });
  const html = await res.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  const token = /<input type="hidden" name="token" value="([^"]+)"/.exec(html)?.[1];
  if (token) fields.token = token;
  const checked = /<input type="radio" name="rating" value="(\d)" checked>/.exec(html)?.[1];
  if (checked) fields.rating = checked;
  return { status: res.status, html, action, fields };
}

/** Presses the page's send button: the form, posted to its action (relative to the link's origin). */
export async function pressSend(link: string, page: SurveyPage, choose?: number): Promise<{ status: number; html: string }> {
  const fields = { ...page.fields, ...(choose ? { rating: String(choose) } : {}) };
  const res = await fetch(new URL(page.action, link), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, html: await res.text() };
}

/** Open the link, then press send: one click in the mail, one press on the page. */
export async function vote(link: string, choose?: number) {
  const page = await openSurveyLink(link);
  if (page.status !== 200) return { status: page.status, html: page.html };
  return pressSend(link, page, choose);
}
