import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from 'zod/mini';
import { createApp, listApps } from '../shared/adapters/dynamodb/app-store.ts';
import { AppRecord } from '../shared/apps/app-record.ts';

/**
 * `.local/apps.json`: the app records of a local run. DynamoDB Local holds the table in memory,
 * so without this every restart would hand out new app ids and API keys. The records are what the
 * table holds (API keys only as their SHA-256); the demo apps' keys live in demo-app.json, which
 * the demo apps read anyway. Written at start, by `npm run apps -- … --local` after each change,
 * and at stop; read back at the next start.
 */
const SavedAppsFile = z.object({
  /** Demo app n's id at index n - 1: what keeps a demo app's id across restarts. */
  demoAppIds: z.array(z.string()),
  records: z.array(AppRecord),
});
export type SavedApps = z.infer<typeof SavedAppsFile>;

export const NO_SAVED_APPS: SavedApps = { demoAppIds: [], records: [] };

export const savedAppsFileIn = (directory: string): string => join(directory, 'apps.json');

export class SavedAppsUnreadableError extends Error {
  constructor(file: string) {
    super(`${file} is not a saved apps file; move it away, or start over with npm start -- --fresh`);
  }
}

export const readSavedApps = (file: string): SavedApps => {
  if (!existsSync(file)) return NO_SAVED_APPS;
  try {
    return SavedAppsFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    throw new SavedAppsUnreadableError(file);
  }
};

/** Written whole to a temporary name first: a run stopped mid-write never leaves half a file. */
export const writeSavedApps = (file: string, saved: SavedApps): void => {
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  writeFileSync(partial, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, file);
};

/**
 * What the table holds now, saved; the demo apps stay the ones given (or, from the admin command,
 * the ones the file already names).
 */
export const saveTableApps = async (file: string, demoAppIds?: string[]): Promise<void> => {
  const records = await listApps();
  writeSavedApps(file, { demoAppIds: demoAppIds ?? readSavedApps(file).demoAppIds, records });
};

/** Puts saved records back in the table, with their API-key index. */
export const restoreRecords = async (records: readonly AppRecord[]): Promise<void> => {
  for (const record of records) await createApp(record);
};
