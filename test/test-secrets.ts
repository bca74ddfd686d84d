/** The access-token key of the tests' Worker: used by the tests only; production refuses any secret shorter than 32 bytes. */
export const TEST_JWT_SECRET = "test-secret-that-is-at-least-32-bytes-long";
