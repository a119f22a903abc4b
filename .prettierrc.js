export { default } from "@secapi/prettier-config";
