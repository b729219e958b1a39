// Where a route sends a request (openhim.md §3.3; core@v8.5.0:src/middleware/router.js
// getDestinationPath/transformPath): `path` replaces the path, else `pathTransform` rewrites it with a
// sed-like `s/from/to[/g]` (`\/` is a literal slash; first match only without `g`), else the path is
// kept. The query string is appended by the caller. Pure.

export function transformPath(path: string, expression: string): string {
  // Escaped slashes become ':' (which cannot be in a path) so the expression splits on '/' only.
  const parts = expression.replace(/\\\//g, ':').split('/');
  const from = (parts[1] ?? '').replace(/:/g, '/');
  const to = (parts[2] ?? '').replace(/:/g, '/');
  return path.replace(new RegExp(from, parts[3] === 'g' ? 'g' : undefined), to);
}

export function destinationPath(
  route: { path?: string; pathTransform?: string },
  requestPath: string,
): string {
  if (route.path) return route.path;
  if (route.pathTransform) return transformPath(requestPath, route.pathTransform);
  return requestPath;
}
