import { Command } from 'commander';
import { createOrganisation } from '../engine/organisations.js';
import { configFrom, withStore, withStoreFlags, type StoreFlags } from './store-options.js';

/** `hookyard orgs create SLUG`: a new organisation; prints its admin key (shown once). */
export function orgsCommand(): Command {
  const orgs = new Command('orgs').description('manage organisations');
  withStoreFlags(
    orgs
      .command('create')
      .description("create an organisation and print its admin API key (shown only once)")
      .argument('<slug>', 'short name used in URLs, e.g. acme')
      .option('--name <name>', 'display name')
      .option('--time-zone <tz>', 'IANA time zone for schedules', 'UTC'),
  ).action(async (slug: string, flags: StoreFlags & { name?: string; timeZone: string }) => {
    await withStore(configFrom(flags), 'hookyard orgs create', async (store) => {
      const { adminKey } = await createOrganisation(store.db, { slug, name: flags.name, timeZone: flags.timeZone });
      console.log(adminKey);
    });
  });
  return orgs;
}
