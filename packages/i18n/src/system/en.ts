/**
 * System messages (English): stored as a key + params and rendered in each viewer's language, by the
 * server (the stored fallback text), the widget and the console (see `renderSystemLine`).
 */
export default {
  'system.queued': 'Thanks, we have everything we need. Your conversation {id} is in the queue; we aim to answer within {time}.',
  'system.assigned': '{name} is now looking after your conversation.',
  'system.waiting': 'All our engineers are busy right now. You keep your place in the queue and will be answered here.',
  'system.contract_question.platform':
    'Support cannot answer questions about contracts, prices or billing. Please contact your account manager, who will gladly help you with this. This conversation is now closed.',
  'system.contract_question.login':
    'Support cannot answer questions about contracts, prices or billing in this chat. If your company uses the platform, sign in and ask the person who manages your company’s account; for plans and prices, see our website. This conversation is now closed.',
  'system.contract_question.website':
    'Support cannot answer questions about contracts, prices or billing in this chat. For plans and prices, please use the sales contact on this website; if your company already uses the platform, the person who manages your company’s account can help. This conversation is now closed.',
  'system.escalated': 'Your escalation was received and a support lead has been brought in.',
  'system.resolved': 'This conversation was marked as resolved.',
  'system.reopened': 'This conversation was reopened.',
  'system.transferred_project': 'This matter concerns an ongoing project, so it was passed to the project team running it.',
  'system.transferred': 'Your conversation was passed to another team, who will continue here.',
  // R12c: a change an agent made in the realm under the customer's grant.
  'system.grant_used': '{agent} from support {grantAction} the pipeline {pipeline} using the access you granted.',
  'param.grantAction.pause': 'paused',
  'param.grantAction.resume': 'resumed',
  'param.grantAction.restart': 'restarted',
  'time.minutes': '{n} minutes',
  'time.hours': '{n} hours',
  'time.days': '{n} days',
} as const satisfies Record<string, string>;
