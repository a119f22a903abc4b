import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/.turbo/**", "load-tests/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      // One value import and at most one `import type` per module: a third line for it is a slip. Both type
      // styles are in use (inline `type A` and a separate `import type`), so a type/value pair is allowed.
      "no-duplicate-imports": ["error", { includeExports: false, allowSeparateTypeImports: true }],
      "no-console": ["error", { allow: ["error", "warn"] }],
    },
  },
  {
    files: ["scripts/**", "**/*.test.ts", "**/test/**", "bench/**", "apps/cli/**", "tooling/local-stack/**"],
    rules: { "no-console": "off" },
  },
  {
    // Tests read untyped JSON responses.
    files: ["**/*.test.ts", "**/test/**", "e2e/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
