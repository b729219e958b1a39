// The stand-ins, for other packages' tests, benchmarks and the demo. Never for production.
export * from './cht';
export * from './openmrs';
export * from './openhim';
