import { useState, type DragEvent } from 'react';
import { useAppStoreApi } from '../../app/context';
import { itemKey, type ItemKey } from '../../app/workspace/items';

/** Our own type, so text or files dragged in from elsewhere are never taken for a tab. */
const TAB_DRAG_TYPE = 'application/x-confab-tab';

export type DropSide = 'before' | 'after';

/**
 * Drag-to-reorder for the tab strip with native HTML drag and drop. The drop target shows on
 * which side of it the tab will land (the half of the tab the pointer is over).
 */
export function useTabDrag(key: ItemKey) {
  const store = useAppStoreApi();
  const [dropSide, setDropSide] = useState<DropSide | null>(null);

  const sideOf = (event: DragEvent<HTMLElement>): DropSide => {
    const box = event.currentTarget.getBoundingClientRect();
    return event.clientX < box.left + box.width / 2 ? 'before' : 'after';
  };

  return {
    dropSide,
    handlers: {
      draggable: true,
      onDragStart(event: DragEvent<HTMLElement>) {
        event.dataTransfer.setData(TAB_DRAG_TYPE, key);
        event.dataTransfer.effectAllowed = 'move';
      },
      onDragOver(event: DragEvent<HTMLElement>) {
        if (!event.dataTransfer.types.includes(TAB_DRAG_TYPE)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'move';
        setDropSide(sideOf(event));
      },
      onDragLeave() {
        setDropSide(null);
      },
      onDrop(event: DragEvent<HTMLElement>) {
        const dragged = event.dataTransfer.getData(TAB_DRAG_TYPE);
        setDropSide(null);
        if (!dragged || dragged === key) return;
        event.preventDefault();
        const { workspace, moveItem } = store.getState();
        // Index among the other tabs, since moveItem takes the dragged tab out first.
        const others = workspace.items.map(itemKey).filter((k) => k !== dragged);
        const at = others.indexOf(key);
        if (at < 0) return;
        moveItem(dragged, sideOf(event) === 'before' ? at : at + 1);
      },
      onDragEnd() {
        setDropSide(null);
      },
    },
  };
}
