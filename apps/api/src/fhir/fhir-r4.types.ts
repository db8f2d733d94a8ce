/**
 * The few FHIR R4 (4.0.1) shapes this service writes, typed by hand: `@types/fhir` would bring
 * every resource of every release for one Observation, and the shapes below are checked against
 * the official R4 JSON schema in the tests (fhir-observation.spec.ts), which is what matters.
 */

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

export interface Identifier {
  type?: CodeableConcept;
  system?: string;
  value: string;
}

export interface Reference {
  reference?: string;
  type?: string;
  identifier?: Identifier;
  display?: string;
}

export interface Quantity {
  value: number;
  unit: string;
  system: string;
  code: string;
}

export interface Extension {
  url: string;
  valueOid: string;
}

export interface Device {
  resourceType: 'Device';
  id: string;
  deviceName: { name: string; type: 'model-name' }[];
  version: { value: string }[];
  type: CodeableConcept;
}

export interface ObservationComponent {
  code: CodeableConcept;
  valueQuantity: Quantity;
}

export interface Observation {
  resourceType: 'Observation';
  id?: string;
  contained: Device[];
  extension?: Extension[];
  identifier: Identifier[];
  status: 'preliminary';
  category: CodeableConcept[];
  code: CodeableConcept;
  effectiveDateTime: string;
  issued?: string;
  valueCodeableConcept: CodeableConcept;
  note: { text: string }[];
  method: CodeableConcept;
  device: Reference;
  derivedFrom?: Reference[];
  component: ObservationComponent[];
}
