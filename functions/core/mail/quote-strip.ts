/**
 * The new text of a reply: what the customer actually wrote, without the
 * quoted history and the signature, for the conversation view. The full
 * original is always stored alongside; this is presentation only.
 *
 * Decisions (see tests/unit/mail/email-reply-parser.corpus.test.ts):
 * - `>` blocks are removed wherever they are. For an inline reply the visible
 *   text is the customer's lines without the lines they answer; the quoted
 *   context stays in `quoted`.
 * - An attribution line ("On <date>, <name> wrote:", up to three lines long,
 *   also in Portuguese, German, Spanish, French, Dutch) goes with the `>` block
 *   below it; with no `>` block below, it starts the quoted history.
 * - Everything from an Outlook header block ("From: / Sent:", "De: / Enviado:",
 *   "Von: / Gesendet:"), an "Original Message" or forward separator, or our
 *   own reply-above marker to the end is quoted history.
 * - Signatures: after a `-- ` or `__` line, and a trailing "Sent from my
 *   <device>" or `-Name` line.
 * - If nothing visible would remain (a bare forward, a mail that is only a
 *   quote), the whole body is visible: never show an empty message.
 *
 * Runs in linear time: lines are classified with string tests and small
 * anchored patterns on bounded input, never one regex over the whole body.
 */
export interface VisibleText {
  visible: string;
  quoted: string;
  signature?: string;
}

/** The line our mail carries above the quoted history; a reply is cut there too. */
export const replyAboveMarker = {
  en: 'Please type your reply above this line',
  'pt-BR': 'Digite sua resposta acima desta linha',
} as const;

type Kind = 'text' | 'blank' | 'quote';

export function visibleText(body: string): VisibleText {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const kinds: Kind[] = lines.map(kindOf);

  // Top to bottom: attach attribution lines to their quotes, and find where the trailing history starts.
  let end = lines.length;
  for (let i = 0; i < end; i++) {
    if (kinds[i] !== 'text') continue;
    if (startsHistory(lines, kinds, i)) {
      end = i;
      break;
    }
    const last = attributionEnd(lines, kinds, i);
    if (last === undefined) continue;
    let next = last + 1;
    while (next < lines.length && kinds[next] === 'blank') next++;
    if (next < lines.length && kinds[next] === 'quote') {
      for (let k = i; k <= last; k++) kinds[k] = 'quote';
      i = last;
    } else {
      end = i;
      break;
    }
  }
  // Separator lines and blanks just above the history belong to it.
  while (end > 0 && (kinds[end - 1] === 'blank' || isSeparator(lines[end - 1]!))) end--;

  const quotedParts: string[] = [];
  const visibleParts: string[] = [];
  const signatureParts: string[] = [];
  let segment: string[] = [];
  const flush = () => {
    const { text, signature } = splitSignature(trimBlankLines(segment));
    if (text.length > 0) visibleParts.push(text.join('\n'));
    if (signature.length > 0) signatureParts.push(signature.join('\n'));
    segment = [];
  };
  for (let i = 0; i < end; i++) {
    if (kinds[i] !== 'quote') {
      segment.push(lines[i]!);
      continue;
    }
    // A quote block runs to its last quoted line; blank lines inside it belong to it.
    let last = i;
    for (let k = i + 1; k < end && kinds[k] !== 'text'; k++) if (kinds[k] === 'quote') last = k;
    flush();
    quotedParts.push(lines.slice(i, last + 1).join('\n'));
    i = last;
  }
  flush();
  if (end < lines.length) quotedParts.push(lines.slice(end).join('\n'));

  const visible = visibleParts.join('\n\n').trimEnd();
  if (visible.trim() === '') return { visible: lines.join('\n').trim(), quoted: '' };
  const quoted = quotedParts.join('\n\n').trim();
  const signature = signatureParts.join('\n\n').trim();
  return signature ? { visible, quoted, signature } : { visible, quoted };
}

function kindOf(line: string): Kind {
  const t = line.trimStart();
  if (t === '') return 'blank';
  return t.startsWith('>') ? 'quote' : 'text';
}

/** Longer than any attribution line; keeps the checks cheap on hostile input. */
const MAX_ATTRIBUTION = 400;

/**
 * If an attribution ("On ... wrote:") starts at line `i`, the index of its last
 * line. Mail clients wrap long attributions, so up to three lines are joined.
 */
function attributionEnd(lines: string[], kinds: Kind[], i: number): number | undefined {
  const first = lines[i]!.trim();
  if (first.length > MAX_ATTRIBUTION || !attributionStart.test(first)) return undefined;
  let joined = '';
  for (let k = i; k < Math.min(i + 3, lines.length); k++) {
    if (kinds[k] !== 'text') return undefined;
    joined = (joined + ' ' + lines[k]!.trim()).trim();
    if (joined.length > MAX_ATTRIBUTION) return undefined;
    if (isAttribution(joined)) return k;
  }
  return undefined;
}

const attributionStart = /^(?:On|Em|Am|El|Le|Op)\s/;

function isAttribution(s: string): boolean {
  const lower = s.toLowerCase();
  if (s.startsWith('On ')) return lower.endsWith('wrote:');
  if (s.startsWith('Em ')) return lower.endsWith('escreveu:');
  if (s.startsWith('Am ')) return lower.endsWith(':') && lower.includes(' schrieb');
  if (s.startsWith('El ')) return lower.endsWith('escribió:');
  if (s.startsWith('Le ')) return /a écrit\s?:$/.test(lower);
  if (s.startsWith('Op ')) return lower.endsWith(':') && lower.includes(' schreef');
  return false;
}

const separatorPhrases =
  /^-{2,}\s*(?:original message|mensagem original|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|forwarded message|mensagem encaminhada|weitergeleitete nachricht|message transféré|mensaje reenviado)\s*-{2,}$/;
const forwardLines = new Set([
  'begin forwarded message:',
  'início da mensagem encaminhada:',
  'inicio do mensagem encaminhada:',
  'anfang der weitergeleiteten nachricht:',
]);
const fromKeys = new Set(['from', 'de', 'von', 'da', 'van', 'från']);
const dateKeys = new Set([
  'sent', 'date', 'enviada em', 'enviado em', 'enviado', 'data', 'gesendet', 'datum',
  'envoyé', 'envoyé le', "date d'envoi", 'fecha', 'enviado el', 'inviato', 'verzonden',
]);

/** Does the quoted history (to the end of the mail) start at line `i`? */
function startsHistory(lines: string[], kinds: Kind[], i: number): boolean {
  const line = lines[i]!;
  if (line.length > 500) return false;
  const lower = line.trim().toLowerCase();
  if (lower.includes(replyAboveMarker.en.toLowerCase()) || lower.includes(replyAboveMarker['pt-BR'].toLowerCase())) return true;
  if (separatorPhrases.test(lower) || forwardLines.has(lower)) return true;
  // An Outlook-style header block: From:, then a date line among the next few header lines.
  if (!fromKeys.has(headerKey(line) ?? '')) return false;
  let seen = 0;
  for (let k = i + 1; k < lines.length && seen < 6; k++) {
    if (kinds[k] === 'blank') continue;
    seen++;
    const key = headerKey(lines[k]!);
    if (key === undefined) return false;
    if (dateKeys.has(key)) return true;
  }
  return false;
}

/** "*Sent:* Monday" → "sent"; undefined when the line does not look like a header. */
function headerKey(line: string): string | undefined {
  const head = line.slice(0, 40).replace(/\*/g, '').trimStart();
  const colon = head.indexOf(':');
  if (colon <= 0 || colon > 20) return undefined;
  return head.slice(0, colon).trim().toLowerCase();
}

/** A rule of dashes, underscores or equals signs that clients put above the history. */
function isSeparator(line: string): boolean {
  const t = line.trim();
  return t.length >= 5 && t.length <= 200 && /^[-_=]+$/.test(t);
}

function trimBlankLines(segment: string[]): string[] {
  let start = 0;
  let stop = segment.length;
  while (start < stop && segment[start]!.trim() === '') start++;
  while (stop > start && segment[stop - 1]!.trim() === '') stop--;
  return segment.slice(start, stop);
}

/**
 * Splits a run of text at its signature: everything after a `--`/`-- ` or
 * underscore line, then any trailing device line or `-Name` sign-off.
 */
function splitSignature(segment: string[]): { text: string[]; signature: string[] } {
  let cut = segment.findIndex((line) => line.trimEnd() === '--' || /^_{2,}$/.test(line.trimEnd()));
  if (cut === -1) cut = segment.length;
  for (;;) {
    let last = cut - 1;
    while (last >= 0 && segment[last]!.trim() === '') last--;
    if (last < 0 || !isSignOff(segment[last]!.trim())) break;
    cut = last;
  }
  return { text: trimBlankLines(segment.slice(0, cut)), signature: trimBlankLines(segment.slice(cut)) };
}

const deviceLine =
  /^(?:sent from my|enviado do meu|enviado de meu|enviado desde mi|gesendet von meinem|envoyé de mon|inviato dal mio)(?: [\p{L}\p{N}'’-]+){1,4}$/u;
const outlookMobile = /^(?:get outlook for|obter o outlook para|outlook para) (?:ios|android)$/;
const dashName = /^-\p{Lu}[\p{L}\p{M}.'’]*(?: [\p{L}\p{M}.'’]+){0,3}$/u;

function isSignOff(line: string): boolean {
  if (line.length > 60) return false;
  const lower = line.toLowerCase().replace(/\s+/g, ' ');
  return deviceLine.test(lower) || outlookMobile.test(lower) || dashName.test(line);
}
