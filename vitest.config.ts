import { defineConfig } from "vitest/config";

const ignored = ["**/node_modules/**", "**/dist/**"];

/**
 * One runner, three kinds of test (STYLE.md #7): `vitest run --project unit|integration|e2e`.
 * Integration and e2e tests talk to the real Postgres and Redis; the global setup checks that they
 * answer and builds the migrated template database that each test file clones. Deadlines are generous
 * (CI is a shared, loaded 2-core machine): no test asserts a duration with them.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{apps,packages,tooling}/*/src/**/*.test.ts", "infra/**/*.test.ts"],
          exclude: [...ignored, "**/*.int.test.ts", "**/*.e2e.test.ts"],
          // CI runs on a shared, loaded 2-core machine: a deadline only for tests that hang.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["{apps,packages,tooling}/*/{src,test}/**/*.int.test.ts", "infra/**/*.int.test.ts"],
          exclude: ignored,
          globalSetup: ["tooling/testing/src/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["e2e/**/*.e2e.test.ts"],
          exclude: ignored,
          globalSetup: ["tooling/testing/src/global-setup.ts"],
          // Starting several processes on a loaded machine can take a minute or more.
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // Each e2e file starts several processes; two cores do not gain from running files in parallel.
          fileParallelism: false,
        },
      },
    ],
  },
});
