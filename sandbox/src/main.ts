// `npm start -w sandbox -- <openmrs|cht|openhim>`: starts one stand-in.
// The stand-ins are for tests and demos only; they are never part of a production deployment.
const STAND_INS = ['openmrs', 'cht', 'openhim'] as const;

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!STAND_INS.includes(name as (typeof STAND_INS)[number])) {
    console.error(`usage: npm start -w sandbox -- <${STAND_INS.join('|')}>`);
    process.exit(2);
  }
  const standIn = (await import(`./${name}/main`)) as { main: () => Promise<void> };
  await standIn.main();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
