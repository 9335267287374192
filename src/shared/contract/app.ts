import type { AppInfo } from '../types';
import { empty } from './fields';
import { method } from './spec';

export const appMethods = {
  'app.info': method<AppInfo>()(empty),
};

export const appEvents = {};
