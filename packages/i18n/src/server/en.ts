/** Server-side system messages and agent reply templates (English). */
export default {
  'system.queued': 'Thanks, we have everything we need. Your conversation {id} is in the queue; we aim to answer within {time}.',
  'system.assigned': '{name} is now looking after your conversation.',
  'system.waiting': 'All our engineers are busy right now. You keep your place in the queue and will be answered here.',
  'system.contract_question':
    'Support cannot answer questions about contracts, prices or billing. Please contact your account manager, who will gladly help you with this. This conversation is now closed.',
  'system.escalated': 'Your escalation was received and a support lead has been brought in.',
  'system.resolved': 'This conversation was marked as resolved.',
  'system.reopened': 'This conversation was reopened.',
  'system.transferred_project': 'This matter concerns an ongoing project, so it was passed to the project team running it.',
  'system.transferred': 'Your conversation was passed to another team, who will continue here.',
  'time.minutes': '{n} minutes',
  'time.hours': '{n} hours',
  'time.days': '{n} days',
  'template.contract': 'Questions about your contract are handled by your account manager. Please contact them directly; they will be happy to help.',
  'template.project_team':
    'This request changes the designed strategy of your flow, so it belongs with the project team. I have passed it to them and they will continue in this conversation.',
  'template.project_phase': 'This pipeline is still in the project phase, so the project team running it will answer you here.',
  'template.external_systems':
    'The behaviour of systems and endpoints outside the platform is owned by their providers. We can help you check what the platform sends and receives; for the external system itself, please contact its provider.',
} as const satisfies Record<string, string>;
