import { describe, expect, it } from 'vitest';
import { scrubPii } from './pii.scrubber';

/** Realistic facet values (use cases, cluster names) that contain no PII and must pass untouched. */
const ORDINARY_FACETS = [
  'Troubleshooting Azure DevOps pipelines',
  'Writing Jira tickets for the Payments team',
  'Analysing Salesforce opportunity data',
  'Preparing for a job interview at Google',
  'Translating marketing copy into Spanish',
  'Planning a Disney World vacation',
  'Comparing Hugging Face models',
  'Explaining Kafka consumer groups',
  'Writing a cover letter for Amazon',
  'Summarising the Q3 board meeting',
  'Drafting a LinkedIn post about a promotion',
  'Debugging React Native build errors on iOS',
  'Learning Rust ownership rules',
  'Negotiating salary with HR',
  'Writing SQL queries in BigQuery',
  'Creating a budget in Google Sheets',
  'Studying for the AWS Solutions Architect exam',
  'Planning Thanksgiving dinner for 12 people',
  'Preparing a toast for a wedding',
  'Writing Ansible playbooks',
  'Understanding GDPR requirements',
  'Configuring Nginx reverse proxy on Ubuntu 22.04',
  'Optimising Postgres indexes',
  'Writing Terraform modules for GCP',
  'Setting up Stripe webhooks',
  'Using Pandas groupby',
  'Tuning XGBoost hyperparameters',
  'Writing a eulogy for grandma',
  'Planning a road trip from Austin to Denver',
  'Recipes for Christmas dinner',
  'Learning Mandarin tones',
  'Fixing Jest tests after upgrading to Node 20',
  'Migrating from Heroku to Render',
  'Writing Dockerfiles for a Flask app',
  'Building a Discord bot',
  'Comparing Notion and Obsidian',
  'Setting up Home Assistant',
  'Preparing an Excel VLOOKUP formula',
  'Troubleshooting Outlook calendar sync',
  'Writing Python unit tests with pytest',
  'Explaining Bayes theorem',
  'Understanding the Krebs cycle',
  'Applying the Pythagorean theorem',
  'Using the Fourier transform',
  'Calculating Black-Scholes option prices',
  'Writing a Slack announcement for the Berlin office',
  'Reviewing the Q4 2023 OKRs',
  'Estimating AWS costs for 500 GB of S3 storage',
  'Converting 3.5 inches to centimetres',
  'Booking flights from London Heathrow to New York JFK',
  'Resolving merge conflicts in Git',
  'Writing regex to match UK postcodes',
  'Planning a 5K training schedule',
  'Creating a Gantt chart in Microsoft Project',
  'Explaining the difference between TCP and UDP on port 443',
  'Setting a 7:30 alarm for Monday',
  'Drafting a complaint to Vodafone about roaming charges',
  'Evaluating Snowflake versus Databricks',
  'Summarising customer feedback from Trustpilot',
  'Writing a haiku about autumn in Kyoto',
  'Choosing between Visa and Mastercard rewards programs',
  'Explaining Kubernetes liveness probes',
  'Writing JavaScript to validate IBAN fields',
  'Refactoring a Java Spring Boot service',
  'Calculating VAT at 20% on invoices',
  'Preparing a Chase Sapphire application',
  "Writing a speech for Father's Day",
  'Studying Chapter 7 of the CFA curriculum',
  'Translating a menu from Italian to English',
];

describe('scrubPii', () => {
  it('replaces every span with its typed placeholder and counts them', () => {
    const result = scrubPii(
      'Dr. Smith (smith@example.com, +44 20 7946 0958) paid with 4111 1111 1111 1111 from DE89 3704 0044 0532 0130 00.',
    );
    expect(result.text).toBe('[PERSON] ([EMAIL], [PHONE]) paid with [CARD] from [IBAN].');
    expect(result.redactions).toBe(5);
    expect(result.byType).toEqual({
      PERSON: 1,
      EMAIL_ADDRESS: 1,
      PHONE_NUMBER: 1,
      CREDIT_CARD: 1,
      IBAN_CODE: 1,
    });
  });

  it('uses [ID], [IP], [URL], [SECRET] and [ADDRESS]', () => {
    const { text } = scrubPii(
      'SSN 123-45-6789 from 10.1.2.3 via https://x.example/a?api_key=Zx81kQ and sk-abcdefghijklmnopqrstuv123 at 12 Main Street, Springfield',
    );
    expect(text).toBe('SSN [ID] from [IP] via [URL] and [SECRET] at [ADDRESS]');
  });

  it('leaves ordinary task descriptions untouched', () => {
    for (const text of [
      'debugging a Python script',
      'planning a trip to the coast',
      'drafting an email to a customer',
      'evaluating a competitor’s pricing for Q3 2024',
      'Summarising 1500 survey answers from Monday',
    ]) {
      expect(scrubPii(text)).toEqual({ text, redactions: 0, byType: {} });
    }
  });

  it.each(ORDINARY_FACETS)('passes "%s" through unchanged', (text) => {
    expect(scrubPii(text).text).toBe(text);
  });

  it('is idempotent', () => {
    const inputs = [
      'Contact Maria Garcia at maria@example.com or 555-123-4567.',
      'Mr [PERSON] Smith and [EMAIL] wrote from 192.168.1.1',
      'My name is Oyelaran; card 4111111111111111; key ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      '04311 2219 Birch St Suite 12, Lakeview, NS B0J 1A0',
    ];
    for (const input of inputs) {
      const once = scrubPii(input).text;
      const twice = scrubPii(once);
      expect(twice.text).toBe(once);
      expect(twice.redactions).toBe(0);
    }
  });

  it('does not treat placeholders as PII', () => {
    expect(scrubPii('[PERSON] sent [EMAIL] to [PHONE] and [CARD]').redactions).toBe(0);
  });
});
