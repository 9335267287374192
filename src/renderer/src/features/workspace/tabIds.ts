/** DOM ids tying each tab to its panel (aria-controls / aria-labelledby). */
export const tabDomId = (sessionId: string) => `tab-${sessionId}`;
export const tabTitleDomId = (sessionId: string) => `tab-title-${sessionId}`;
export const tabPanelDomId = (sessionId: string) => `tabpanel-${sessionId}`;
