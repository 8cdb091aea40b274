/** Server-side system messages and agent reply templates (English). */
import system from '../system/en.ts';

export default {
  ...system,
  'template.contract': 'Questions about your contract are handled by your account manager. Please contact them directly; they will be happy to help.',
  'template.project_team':
    'This request changes the designed strategy of your flow, so it belongs with the project team. I have passed it to them and they will continue in this conversation.',
  'template.project_phase': 'This pipeline is still in the project phase, so the project team running it will answer you here.',
  'template.external_systems':
    'The behaviour of systems and endpoints outside the platform is owned by their providers. We can help you check what the platform sends and receives; for the external system itself, please contact its provider.',
} as const satisfies Record<string, string>;
