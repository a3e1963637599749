import { Command, Option } from 'commander';
import { ROLES, type Role } from '../domain/api-keys.js';
import { HookyardError } from '../domain/errors.js';
import { createApiKey } from '../store/api-keys.js';
import { findOrganisationBySlug } from '../store/organisations.js';
import { configFrom, withStore, withStoreFlags, type StoreFlags } from './store-options.js';

/** `hookyard keys create --role R [--org SLUG]`: prints a new API key (shown once). */
export function keysCommand(): Command {
  const keys = new Command('keys').description('manage API keys');
  withStoreFlags(
    keys
      .command('create')
      .description('create an API key and print it (it is shown only once)')
      .addOption(new Option('--role <role>', 'what the key may do').choices(ROLES).makeOptionMandatory())
      .option('--org <slug>', 'organisation', 'default')
      .option('--name <name>', 'a label for the key'),
  ).action(async (flags: StoreFlags & { role: Role; org: string; name?: string }) => {
    await withStore(configFrom(flags), 'hookyard keys create', async (store) => {
      const org = await findOrganisationBySlug(store.db, flags.org);
      if (!org) throw new HookyardError('HY_NOT_FOUND', `organisation "${flags.org}" not found`);
      const { key } = await createApiKey(store.db, { orgId: org.id, role: flags.role, name: flags.name });
      console.log(key);
    });
  });
  return keys;
}
