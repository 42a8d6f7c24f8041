/**
 * `npm run bench:language`: how right the language detection is on the
 * labelled corpus (../shared/corpora/labelled-tickets), per language, on whole
 * tickets and on short windows of their bodies (a one-line mail), and what it
 * costs: loading the detector once (a cold start) and detecting one ticket.
 *
 *   npm run bench:language
 *   npm run bench:language -- FILE.jsonl     another file of {subject, body, language}
 */
import { performance } from 'node:perf_hooks';

import { detectLanguage, languageDetector } from '../functions/core/language.ts';
import { labelledCorpus, labelledTickets, languageAccuracy, shortTextAccuracy } from './language-accuracy.ts';

// Loading eld's n-grams is the detector's cold-start cost, paid once per process on first use.
const cpuBefore = process.cpuUsage();
const loadStart = performance.now();
const detect = await languageDetector();
const loadMs = performance.now() - loadStart;
const cpu = process.cpuUsage(cpuBefore);
const loadCpuMs = (cpu.user + cpu.system) / 1000;

const file = process.argv[2] ?? labelledCorpus;
const tickets = labelledTickets(file);
if (!tickets) {
  console.log(`No labelled tickets at ${file}: nothing to measure.`);
  process.exit(0);
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)} %` : '-');
console.log(`Language detection on ${tickets.length} labelled tickets (${file})`);
console.log('\nWhole tickets (subject and body):');
for (const [lang, s] of Object.entries(languageAccuracy(tickets, detect))) {
  console.log(`  ${lang}: ${pct(s.right, s.total)} right (${s.right}/${s.total}), ${s.unsure} unsure`);
  for (const w of s.wrong) console.log(`      ${w}`);
}
console.log('\nShort texts (windows of the bodies; unsure means the desk default applies):');
for (const chars of [20, 30, 60, 120]) {
  const s = shortTextAccuracy(tickets, chars, detect);
  const answered = s.samples - s.unsure;
  console.log(`  ${String(chars).padStart(3)} characters: ${pct(s.right, answered)} right when answered, ${pct(s.unsure, s.samples)} unsure (${s.samples} samples)`);
}

const times: number[] = [];
for (let round = 0; round < 5; round++) {
  for (const t of tickets) {
    const start = performance.now();
    detectLanguage(t.subject, t.body, detect);
    times.push(performance.now() - start);
  }
}
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(3);
console.log(`\nCost: loading the detector once ${loadMs.toFixed(0)} ms (${loadCpuMs.toFixed(0)} ms of CPU); per ticket median ${at(0.5)} ms, p99 ${at(0.99)} ms (${times.length} detections, on this machine's load)`);
