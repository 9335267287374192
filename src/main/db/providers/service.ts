/**
 * The worker's provider rows. Main's provider service adds what needs the network or the host's
 * cipher (model lists, keys), so these take already-sealed key ciphertext.
 */
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import * as providers from './repository';

export const providersService = (ctx: RepoContext) => ({
  'providers.list': reader(() => providers.listProviderConfigs(ctx)),
  'providers.get': reader((i: { id: string }) => providers.getProviderConfig(ctx, i.id)),
  'providers.create': (i: providers.CreateProviderInput) => providers.createProviderConfig(ctx, i),
  'providers.update': (i: providers.UpdateProviderInput) => providers.updateProviderConfig(ctx, i),
  'providers.delete': async (i: { id: string }) => ({ deleted: await providers.deleteProviderConfig(ctx, i.id) }),
  'providers.keyCiphertext': reader((i: { id: string }) => providers.getProviderKeyCiphertext(ctx, i.id)),
});
