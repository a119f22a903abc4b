import type { Generated, Selectable } from "kysely";

export interface ApiKeysTable {
  id: Generated<string>;
  user_id: string;
  key_hash: string;
  prefix: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
}
export type ApiKey = Selectable<ApiKeysTable>;
