/** Mensajes de sistema y plantillas de respuesta (español). */
import system from '../system/es.ts';

export default {
  ...system,
  'template.contract': 'Las preguntas sobre su contrato las atiende su gerente de cuenta. Por favor, contáctelo directamente; le ayudará con gusto.',
  'template.project_team':
    'Esta solicitud cambia la estrategia diseñada de su flujo, por lo que corresponde al equipo del proyecto. Se la pasé y continuarán en esta conversación.',
  'template.project_phase': 'Este pipeline todavía está en fase de proyecto, así que el equipo del proyecto le responderá aquí.',
  'template.external_systems':
    'El comportamiento de sistemas y endpoints fuera de la plataforma es responsabilidad de sus proveedores. Podemos ayudarle a revisar lo que la plataforma envía y recibe; para el sistema externo, contacte a su proveedor.',
} as const satisfies Record<string, string>;
