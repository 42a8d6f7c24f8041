import { describe, expect, it } from 'vitest';
import { replyAboveMarker, visibleText } from '../../../functions/core/mail/quote-strip.ts';

const lines = (...l: string[]) => l.join('\n');

describe('visibleText: quoted history', () => {
  it('leaves a mail with no history alone', () => {
    expect(visibleText('Hello,\n\nmy printer is broken.\n')).toEqual({ visible: 'Hello,\n\nmy printer is broken.', quoted: '' });
  });

  it('removes a > block and its Gmail attribution', () => {
    const r = visibleText(lines('Thanks, that worked.', '', 'On Tue, Mar 3, 2026 at 10:00 AM, Support <support@desk.example.com> wrote:', '> Try turning it off.', '> ', '> Support'));
    expect(r.visible).toBe('Thanks, that worked.');
    expect(r.quoted).toMatch(/^On Tue.*wrote:\n> Try turning it off\./);
  });

  it('handles an attribution wrapped over two and three lines', () => {
    expect(visibleText(lines('Ok!', '', 'On Tue, Mar 3, 2026 at 10:00 AM, Support Team', '<support@desk.example.com> wrote:', '', '> Hi')).visible).toBe('Ok!');
    expect(visibleText(lines('Ok!', 'On Tue, Mar 3, 2026 at 10:00 AM, Support Team', '<support@desk.example.com>', 'wrote:', '> Hi')).visible).toBe('Ok!');
  });

  it('handles Portuguese and German attributions', () => {
    expect(visibleText(lines('Funcionou, obrigado.', '', 'Em ter., 3 de mar. de 2026 às 10:00, Suporte <suporte@desk.example.com> escreveu:', '', '> Tente reiniciar.')).visible).toBe('Funcionou, obrigado.');
    expect(visibleText(lines('Danke!', '', 'Am Di., 3. März 2026 um 10:00 Uhr schrieb Support <support@desk.example.com>:', '> Bitte neu starten.')).visible).toBe('Danke!');
    expect(visibleText(lines('Gracias', 'El mar, 3 mar 2026 a las 10:00, Soporte <s@x.com> escribió:', '> Hola')).visible).toBe('Gracias');
    expect(visibleText(lines('Merci', 'Le mar. 3 mars 2026 à 10:00, Support <s@x.com> a écrit :', '> Bonjour')).visible).toBe('Merci');
  });

  it('treats an attribution with no > block under it (Outlook mobile) as the start of the history', () => {
    const r = visibleText(lines('Still broken.', '', 'On 3 Mar 2026, at 10:00, Support <support@desk.example.com> wrote:', '', 'Try turning it off.'));
    expect(r.visible).toBe('Still broken.');
    expect(r.quoted).toContain('Try turning it off.');
  });

  it('keeps sentences that merely start with "On"', () => {
    const body = lines('On Monday the printer broke.', 'One more thing: it smokes.', 'On your side, can you check:', '', '- the fuse');
    expect(visibleText(body).visible).toBe(body);
  });

  it('cuts at Outlook header blocks in English, Portuguese and German', () => {
    const outlook = (first: string, block: string[]) => visibleText(lines(first, '', ...block, '', 'Old text', '> older'));
    expect(outlook('New text', ['From: Support <support@desk.example.com>', 'Sent: Tuesday, March 3, 2026 10:00 AM', 'To: Ana', 'Subject: RE: [#12] Help']).visible).toBe('New text');
    expect(outlook('Texto novo', ['De: Suporte <suporte@desk.example.com>', 'Enviada em: terça-feira, 3 de março de 2026 10:00', 'Para: Ana', 'Assunto: RES: [#12] Ajuda']).visible).toBe('Texto novo');
    expect(outlook('Texto novo', ['De: Suporte <suporte@desk.example.com>', 'Enviado: terça-feira, 3 de março de 2026 10:00', 'Para: Ana', 'Assunto: RES: Ajuda']).visible).toBe('Texto novo');
    expect(outlook('Neuer Text', ['Von: Support <support@desk.example.com>', 'Gesendet: Dienstag, 3. März 2026 10:00', 'An: Ana', 'Betreff: AW: Hilfe']).visible).toBe('Neuer Text');
    expect(outlook('Bold', ['*From:* Support [mailto:support@desk.example.com]', '*Sent:* Tuesday, March 3, 2026 10:00 AM']).visible).toBe('Bold');
  });

  it('does not cut at a lone From: line in prose', () => {
    const body = lines('From: my manager, who asked me to write.', 'Please reset my password.');
    expect(visibleText(body).visible).toBe(body);
  });

  it('cuts at Original Message separators, underscores and forward markers', () => {
    for (const sep of ['-----Original Message-----', '----- Mensagem original -----', '-----Ursprüngliche Nachricht-----', '---------- Forwarded message ---------', 'Begin forwarded message:', '---------- Mensagem encaminhada ---------']) {
      const r = visibleText(lines('See below.', '', sep, 'Some old text'));
      expect(r.visible, sep).toBe('See below.');
      expect(r.quoted, sep).toBe(`${sep}\nSome old text`);
    }
    expect(visibleText(lines('Above', '________________________________', 'De: Suporte', 'Enviado: hoje')).visible).toBe('Above');
  });

  it('cuts at our own reply-above marker', () => {
    for (const marker of Object.values(replyAboveMarker)) {
      expect(visibleText(lines('My answer', '', `##- ${marker} -##`, '', 'Hello Ana, ...')).visible).toBe('My answer');
    }
  });

  it('removes every > block of an inline reply, keeping the customer lines', () => {
    const r = visibleText(lines('> Is it plugged in?', 'Yes.', '>', '> Is it on?', '', 'No.', '> Thanks'));
    expect(r.visible).toBe('Yes.\n\nNo.');
    expect(r.quoted).toBe('> Is it plugged in?\n\n>\n> Is it on?\n\n> Thanks');
  });

  it('handles Windows and old Mac line endings', () => {
    expect(visibleText('Ok\r\n\r\nOn Tue, X wrote:\r\n> a\r\n').visible).toBe('Ok');
    expect(visibleText('Ok\r\rOn Tue, X wrote:\r> a\r').visible).toBe('Ok');
  });
});

describe('visibleText: signatures', () => {
  it.each([
    ['-- ', 'Ana\nACME'],
    ['--', 'Ana'],
    ['__', 'Ana'],
    ['_______________', 'mailing list footer'],
  ])('cuts after a %j line', (delimiter, sig) => {
    const r = visibleText(`Please help.\n\n${delimiter}\n${sig}`);
    expect(r.visible).toBe('Please help.');
    expect(r.signature).toBe(`${delimiter}\n${sig}`.trim());
  });

  it.each(['Sent from my iPhone', 'Enviado do meu iPhone', 'Sent from my BlackBerry', 'Sent from my Verizon Wireless BlackBerry', 'Get Outlook for iOS', 'Enviado do meu Galaxy', 'Gesendet von meinem iPad'])(
    'removes a trailing %j line',
    (device) => {
      const r = visibleText(`Please help.\n\n${device}\n`);
      expect(r).toEqual({ visible: 'Please help.', quoted: '', signature: device });
    },
  );

  it('keeps device-like sentences and mid-line delimiters', () => {
    expect(visibleText('Hi\n\nSent from my desk, which is easier.').visible).toBe('Hi\n\nSent from my desk, which is easier.');
    expect(visibleText('Sent from my iPhone\n\nbut it also fails on the desktop.').visible).toBe('Sent from my iPhone\n\nbut it also fails on the desktop.');
    expect(visibleText('a -- b\nc __ d').visible).toBe('a -- b\nc __ d');
  });

  it('removes a trailing -Name sign-off but keeps bullet lists', () => {
    expect(visibleText('Thanks\n\n-Ana Souza').visible).toBe('Thanks');
    expect(visibleText('Steps:\n- reboot\n- Reinstall').visible).toBe('Steps:\n- reboot\n- Reinstall');
    expect(visibleText('Steps:\n-reboot').visible).toBe('Steps:\n-reboot');
  });

  it('finds the signature before the quoted history', () => {
    const r = visibleText(lines('Thanks!', '', 'Sent from my iPhone', '', '> On 3 Mar 2026, at 10:00, Support wrote:', '> Hi'));
    expect(r).toEqual({ visible: 'Thanks!', quoted: '> On 3 Mar 2026, at 10:00, Support wrote:\n> Hi', signature: 'Sent from my iPhone' });
  });
});

describe('visibleText: edge cases', () => {
  it('never shows an empty message: a bare quote or forward stays visible', () => {
    expect(visibleText('> only a quote').visible).toBe('> only a quote');
    expect(visibleText('---------- Forwarded message ---------\nFrom: a\nDate: b\n\nThe real problem').visible).toContain('The real problem');
    expect(visibleText('-- \nAna').visible).toBe('-- \nAna');
    expect(visibleText('')).toEqual({ visible: '', quoted: '' });
    expect(visibleText('\n\n  \n')).toEqual({ visible: '', quoted: '' });
  });

  it('keeps non-ASCII text intact', () => {
    expect(visibleText('Here’s a test. Olá, ação! 日本語').visible).toBe('Here’s a test. Olá, ação! 日本語');
  });

  it('completes on hostile input', () => {
    const inputs = [
      'On '.repeat(200_000),
      ('On x\n').repeat(100_000),
      ('From: x\n').repeat(100_000),
      '>'.repeat(1_000_000),
      ('> a\n\n').repeat(100_000),
      ('-'.repeat(100) + '\n').repeat(10_000),
      ('a\n' + 'Sent from my iPhone\n').repeat(50_000),
      'x'.repeat(1_000_000) + ' wrote:',
      ('-Ana\n').repeat(100_000),
      ('\r').repeat(500_000),
    ];
    for (const input of inputs) {
      // Not timed (speed is for bench/): a backtracking blow-up never finishes, and the test's timeout catches it.
      visibleText(input);
    }
  });
});
