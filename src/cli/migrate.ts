import { Command } from 'commander';
import { configFrom, withStore, withStoreFlags, type StoreFlags } from './store-options.js';

/** `hookyard migrate`: brings the database schema up to date. */
export function migrateCommand(): Command {
  return withStoreFlags(new Command('migrate').description('apply pending database migrations')).action(async (flags: StoreFlags) => {
    const applied = await withStore(configFrom(flags), 'hookyard migrate', async (_store, applied) => applied);
    console.log(applied.length === 0 ? 'Schema is up to date.' : `Applied: ${applied.join(', ')}`);
  });
}
