/**
 * Test-only package: see the tests in this directory and deploy/README.md.
 *
 * @packageDocumentation
 */
export {};
