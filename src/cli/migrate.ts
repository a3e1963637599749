import { Command } from 'commander';
import { migrate, openStore } from '../store/db.js';
import { configFrom, withStoreFlags, type StoreFlags } from './store-options.js';

/** `hookyard migrate`: brings the database schema up to date. */
export function migrateCommand(): Command {
  return withStoreFlags(new Command('migrate').description('apply pending database migrations')).action(async (flags: StoreFlags) => {
    const store = openStore(configFrom(flags));
    try {
      const applied = await migrate(store);
      console.log(applied.length === 0 ? 'Schema is up to date.' : `Applied: ${applied.join(', ')}`);
    } finally {
      await store.close();
    }
  });
}
