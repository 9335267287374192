import { itemDomKey, type WorkspaceItem } from '../../app/workspace/items';

/** DOM ids tying each tab to its panel (aria-controls / aria-labelledby). */
export const tabDomId = (item: WorkspaceItem) => `tab-${itemDomKey(item)}`;
export const tabTitleDomId = (item: WorkspaceItem) => `tab-title-${itemDomKey(item)}`;
export const tabPanelDomId = (item: WorkspaceItem) => `tabpanel-${itemDomKey(item)}`;
