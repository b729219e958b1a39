// The transitions this stand-in runs, in CHT's order (reference cht.md §1.2, §1.4 A): update_clinics,
// registration, generate_shortcode_on_contacts (Sentinel only), then mark_for_outbound on the hydrated
// doc carrying the unsaved edits of the earlier transitions.
import type { Logger } from '@cht-openmrs/common';
import { type AppSettings, transitionEnabled } from '../config/app-settings';
import { isContactDoc } from '../core/contact-types';
import { isPersonType } from '../core/contact-types';
import { hydrate, minify } from '../core/lineage';
import { normalisePhone } from '../core/phone';
import { runRegistration } from '../core/registration';
import { type ChtDoc, clone, type ReportError } from '../core/types';
import { type OutboundEngine, RelevanceError } from '../outbound/outbound-engine';
import type { OutboundStore } from '../outbound/outbound-store';
import type { MedicStore } from '../store/medic-store';

export interface TransitionDeps {
  medic: MedicStore;
  outbound: OutboundEngine;
  outboundStore: OutboundStore;
  settings: () => AppSettings;
  now: () => number;
  logger: Logger;
}

export class Transitions {
  constructor(private readonly deps: TransitionDeps) {}

  private async shortcodes(doc: ChtDoc): Promise<boolean> {
    const settings = this.deps.settings();
    const enabled =
      transitionEnabled(settings, 'generate_shortcode_on_contacts') ||
      transitionEnabled(settings, 'generate_patient_id_on_people');
    if (!enabled || !isContactDoc(doc)) return false;
    const field = isPersonType(settings, doc) ? 'patient_id' : 'place_id';
    if (doc[field] !== undefined && doc[field] !== '') return false;
    doc[field] = await this.deps.medic.newShortcode();
    return true;
  }

  /** update_clinics: a record whose `from` is a contact's phone gets that contact (§2.1 "Subject linkage"). */
  private async updateClinics(doc: ChtDoc): Promise<boolean> {
    const settings = this.deps.settings();
    if (doc.type !== 'data_record' || doc.contact || !transitionEnabled(settings, 'update_clinics'))
      return false;
    const phone = normalisePhone(doc.from, settings.default_country_code);
    const [contact] = phone ? await this.deps.medic.byPhone(phone, settings.default_country_code) : [];
    if (!contact) return false;
    doc.contact = minify(contact);
    return true;
  }

  /** Runs registration once per doc (recorded in the infodoc, as CHT's transitions log). */
  private async registration(doc: ChtDoc): Promise<boolean> {
    const settings = this.deps.settings();
    if (doc.type !== 'data_record' || !transitionEnabled(settings, 'registration')) return false;
    const info = await this.deps.outboundStore.getInfo(doc._id);
    if (info.transitions?.registration) return false;
    const changed = await runRegistration(doc, settings, this.deps.medic);
    if (changed)
      await this.deps.outboundStore.updateInfo(doc._id, (stored) => {
        stored.transitions = { ...stored.transitions, registration: { ok: true, run_date: this.deps.now() } };
      });
    return changed;
  }

  private async markForOutbound(doc: ChtDoc, requestId?: string): Promise<boolean> {
    try {
      await this.deps.outbound.onChange(await hydrate(clone(doc), this.deps.medic), requestId);
      return false;
    } catch (error) {
      if (!(error instanceof RelevanceError)) throw error;
      // Sic: the stray quote is CHT's (§1.6); the error is only saved if another transition changed the doc.
      const errors = (doc.errors ?? []) as ReportError[];
      doc.errors = [
        ...errors,
        {
          code: "mark_for_outbound_error'",
          message: `Transition error on mark_for_outbound: ${error.message}`,
        },
      ];
      this.deps.logger.warn(
        { docId: doc._id, err: error.message },
        'relevant_to threw; nothing pushed or queued',
      );
      return false;
    }
  }

  /** API path (POST /api/v2/records): synchronous transitions on the unsaved doc, before it is saved. */
  async beforeSave(doc: ChtDoc, requestId?: string): Promise<void> {
    await this.updateClinics(doc);
    await this.registration(doc);
    await this.markForOutbound(doc, requestId);
  }

  /** Sentinel path: returns the edited doc when a transition changed it (it is then saved). */
  async onChange(saved: ChtDoc): Promise<ChtDoc | undefined> {
    const doc = clone(saved);
    let changed = await this.updateClinics(doc);
    changed = (await this.registration(doc)) || changed;
    changed = (await this.shortcodes(doc)) || changed;
    await this.markForOutbound(doc);
    return changed ? doc : undefined;
  }
}
