/**
 * SecAPI's code format. Long lines (140) because the code names things in full and tables of cases read
 * better on one line each; everything else is prettier's default, so there is nothing to argue about.
 * @type {import("prettier").Config}
 */
export default {
  printWidth: 140,
  trailingComma: "all",
};
