/**
 * The worked example (docs/domain.md): one council's commitments table, cabinet, November 2025.
 * Shared by `npm run demo` and the tests, so both mean the same council.
 */
export const WORKED_EXAMPLE_TRANCHES = [
  { amount: '2083000.00', description: "Children's Social Care Prevention Grant", status: 'confirmed', determinationRef: '31/7833', receivedOn: '2025-04-25' },
  { amount: '127000.00', description: 'One-off Families First Partnership transformation grant', status: 'confirmed', determinationRef: '31/7969' },
] as const;

export const WORKED_EXAMPLE_LINES: readonly { ref: string; category: string; title: string; amount: string | null }[] = [
  {
    ref: '1',
    category: 'transformation',
    title: 'Transformation team (programme manager; service, data/performance, communications, parent partnership leads; project support)',
    amount: '335677',
  },
  { ref: '2', category: 'transformation', title: 'Secondments from partner organisations', amount: '150000' },
  { ref: '3', category: 'family_help_delivery', title: 'Early Help: a Kinship Virtual Hub', amount: '85772' },
  { ref: '4', category: 'family_help_delivery', title: "Children's Social Care: 2 post-Special Guardianship Order support posts", amount: '63000' },
  { ref: '5', category: 'family_help_delivery', title: 'Education: more capacity in the Elective Home Education team', amount: '100149' },
  { ref: '6', category: 'family_help_delivery', title: 'Education: a stronger role in multi-agency safeguarding', amount: '120000' },
  { ref: '7', category: 'family_help_delivery', title: 'Early Help: more service management capacity', amount: '155874' },
  { ref: '8', category: 'family_help_delivery', title: "Children's Social Care: 3 temporary family support workers", amount: '32579' },
  { ref: '9', category: 'family_help_delivery', title: 'Early Help: 0-19 graduated Family Help response for children with SEND', amount: '223007' },
  { ref: '10', category: 'family_help_delivery', title: 'Education: preventative multi-agency work in Educational Psychology', amount: '62773' },
  { ref: '11', category: 'family_help_delivery', title: "Children's Social Care: multi-agency child protection teams", amount: '250000' },
  { ref: '12', category: 'practice_workforce_ict', title: 'ICT: single-system information and data sharing', amount: null },
  { ref: '13', category: 'family_voice', title: 'Commissioning a joint Family Help needs analysis', amount: '19484' },
  { ref: '14', category: 'family_voice', title: 'Co-production with partners, children and families', amount: '21443' },
];
