/** providers.*: model providers, their keys (sealed before they reach the database) and models. */
import type { HandlerSlice } from '../kit/handlers';
import type { ProviderService } from './service';

export function providersHandlers(providers: ProviderService): HandlerSlice<'providers'> {
  return {
    'providers.presets': async () => providers.presets(),
    'providers.list': () => providers.list(),
    'providers.create': (i) => providers.create(i),
    'providers.update': (i) => providers.update(i),
    'providers.delete': (i) => providers.delete(i.id),
    'providers.models': (i) => providers.models(i.id),
    'providers.detectLocal': () => providers.detectLocal(),
  };
}
