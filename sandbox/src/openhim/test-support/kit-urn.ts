// The URN of the test mediator process (kit-mediator.ts), shared with its test without running it.
export const KIT_URN = 'urn:mediator:cht-openmrs:kit-test';
