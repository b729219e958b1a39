import { destinationPath, transformPath } from './path-transform';

describe("core's sed-like pathTransform", () => {
  it.each([
    ['/mediator/patient', 's/\\/mediator/', '/patient'],
    ['/openmrs/Patient', 's/openmrs/openmrs\\/ws\\/fhir2\\/R4/g', '/openmrs/ws/fhir2/R4/Patient'],
    ['/a/a/a', 's/a/b/', '/b/a/a'],
    ['/a/a/a', 's/a/b/g', '/b/b/b'],
    ['/trigger', 's/trigger/sync/', '/sync'],
  ])('%s with %s gives %s', (path, expression, expected) => {
    expect(transformPath(path, expression)).toBe(expected);
  });

  it('a route path replaces the path; otherwise the transform or the path itself', () => {
    expect(destinationPath({ path: '/fixed' }, '/any')).toBe('/fixed');
    expect(destinationPath({ pathTransform: 's/x/y/' }, '/x')).toBe('/y');
    expect(destinationPath({ path: '', pathTransform: '' }, '/kept')).toBe('/kept');
  });
});
