/** The event that places an order (its `Order` row: `orders/orders-from-events.ts`). */
export const orderCompleted = "Order Completed";
export const segmentEntered = "Segment Entered";
export const segmentExited = "Segment Exited";
/** Events Cartwheel records about segments, which never count as a contact's activity. */
export const segmentEventNames = [segmentEntered, segmentExited] as const;
