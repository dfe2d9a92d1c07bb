/** CAP 1.2 (OASIS Common Alerting Protocol, ITU-T X.1303) as plain objects. */

export const CAP_NAMESPACES = {
  '1.2': 'urn:oasis:names:tc:emergency:cap:1.2',
  '1.1': 'urn:oasis:names:tc:emergency:cap:1.1',
} as const;
export type CapVersion = keyof typeof CAP_NAMESPACES;

export const CAP_STATUS = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export const CAP_MSG_TYPE = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export const CAP_SCOPE = ['Public', 'Restricted', 'Private'] as const;
export const CAP_CATEGORY = ['Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other'] as const;
export const CAP_RESPONSE_TYPE = ['Shelter', 'Evacuate', 'Prepare', 'Execute', 'Avoid', 'Monitor', 'Assess', 'AllClear', 'None'] as const;
export const CAP_URGENCY = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export const CAP_SEVERITY = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export const CAP_CERTAINTY = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;
export type CapCategory = (typeof CAP_CATEGORY)[number];
export type CapUrgency = (typeof CAP_URGENCY)[number];
export type CapSeverity = (typeof CAP_SEVERITY)[number];
export type CapCertainty = (typeof CAP_CERTAINTY)[number];

export interface CapValuePair {
  valueName: string;
  value: string;
}

/** `polygon`: [lat, lon] pairs, first = last. `circle`: centre and radius in km. */
export interface CapArea {
  areaDesc: string;
  polygons: [number, number][][];
  circles: { lat: number; lon: number; radiusKm: number }[];
  geocodes: CapValuePair[];
  altitude?: number;
  ceiling?: number;
}

export interface CapResource {
  resourceDesc: string;
  mimeType: string;
  size?: number;
  uri?: string;
  derefUri?: string;
  digest?: string;
}

export interface CapInfo {
  language: string;
  categories: string[];
  event: string;
  responseTypes: string[];
  urgency: string;
  severity: string;
  certainty: string;
  audience?: string;
  eventCodes: CapValuePair[];
  effective?: string;
  onset?: string;
  expires?: string;
  senderName?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  web?: string;
  contact?: string;
  parameters: CapValuePair[];
  resources: CapResource[];
  areas: CapArea[];
}

export interface CapAlert {
  identifier: string;
  sender: string;
  sent: string;
  status: string;
  msgType: string;
  source?: string;
  scope: string;
  restriction?: string;
  addresses?: string;
  codes: string[];
  note?: string;
  /** `references` split into sender,identifier,sent triples. */
  references: { sender: string; identifier: string; sent: string }[];
  incidents?: string;
  infos: CapInfo[];
}

/** One problem, located by an element path such as `alert/info[2]/certainty`. */
export interface CapError {
  element: string;
  message: string;
}

export interface CapParseResult {
  alert: CapAlert | null;
  /** The CAP version the namespace declared (1.1 is read, and said so). */
  version: CapVersion | null;
  errors: CapError[];
  warnings: CapError[];
}
