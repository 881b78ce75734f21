// The catalogue of diagnostic codes (data, like TypeScript's diagnosticMessages.json).
// Codes are stable: tests, docs and `--format json` consumers rely on them.

export const Codes = {
  // YAML and file structure
  YamlSyntax: 'HE101',
  EmptyFile: 'HE102',
  TopLevelNotList: 'HE103',
  DefinitionNotMapping: 'HE104',
  MultipleDocuments: 'HE105',
  MergeNotMapping: 'HE106',
  UnsupportedYaml: 'HE107',
  // Event definitions (Ceilometer's load-time errors)
  MissingRequiredField: 'HE201',
  EventTypeNotString: 'HE202',
  TraitsNotMapping: 'HE203',
  // Trait definitions
  MissingFields: 'HE301',
  InvalidTraitType: 'HE302',
  PluginNoName: 'HE303',
  UnknownPlugin: 'HE304',
  PluginParameters: 'HE305',
  JsonPathSyntax: 'HE306',
  FieldsNotPath: 'HE307',
  // Warnings: what Ceilometer silently accepts
  ShadowedDefinition: 'HW401',
  RootNeverMatches: 'HW402',
  IntersectAlwaysFails: 'HW403',
  DuplicateKey: 'HW404',
  Yaml11Surprise: 'HW405',
  DeprecatedPlugin: 'HW406',
  UnknownKey: 'HW407',
  EventTypeMapping: 'HW408',
  NeverMatches: 'HW409',
  NonIntBitfield: 'HW410',
  // Code generation
  GeneratedTypeError: 'HE501',
  StaleGenerated: 'HE502',
  // Command line / input
  FileNotFound: 'HE001',
} as const;

export type Code = (typeof Codes)[keyof typeof Codes] | (typeof TransformCodes)[keyof typeof TransformCodes];

export const TransformCodes = {
  IniSyntax: 'HE601',
  LiteralSyntax: 'HE602',
  TransformerShape: 'HE603',
  UnknownKey: 'HE604',
  MissingKey: 'HE605',
  UnknownSink: 'HE606',
  SinkMissingKey: 'HE607',
  UnknownTrait: 'HE608',
  BadReference: 'HE609',
  UnknownOption: 'HE610',
  BadOptionValue: 'HE611',
  TraitInSomeDefinitions: 'HW612',
  OnlyCatchAll: 'HW613',
  NeverMatches: 'HW614',
  BadAddress: 'HE615',
  AddressPrefix: 'HW616',
} as const;
