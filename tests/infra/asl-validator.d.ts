/** asl-validator ships no types; the tests use only its default export. */
declare module 'asl-validator' {
  const validate: (definition: unknown) => Promise<{ isValid: boolean; errors: unknown[] }>;
  export default validate;
}
