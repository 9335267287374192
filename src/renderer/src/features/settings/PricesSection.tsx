import { useEffect, useState, type FormEvent } from 'react';
import type { ModelPrice } from '@shared/types';
import { useAppStore } from '../../app/context';

const parsePrice = (text: string): number | null => {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 100_000 ? n : null;
};

/** The per-model price table behind cost estimates: US$ per million tokens, in and out. */
export function PricesSection() {
  const prices = useAppStore((s) => s.prices);
  const loadPrices = useAppStore((s) => s.loadPrices);
  useEffect(() => {
    void loadPrices();
  }, [loadPrices]);
  return (
    <section className="settings__section" aria-labelledby="prices-title">
      <h3 id="prices-title">Model prices</h3>
      <p className="muted">
        US$ per million tokens, used for cost estimates. A price also covers dated and provider-prefixed names of the
        model (gpt-4o-2024-08-06, openai/gpt-4o). A model with no price shows &quot;no price&quot; and is never counted
        as free.
      </p>
      <table className="prices-table" aria-label="Model prices">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">Input</th>
            <th scope="col">Output</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(prices.data ?? []).map((p) => (
            <PriceRow key={p.model} price={p} />
          ))}
        </tbody>
      </table>
      <PriceForm />
    </section>
  );
}

function PriceRow({ price }: { price: ModelPrice }) {
  const savePrice = useAppStore((s) => s.savePrice);
  const deletePrice = useAppStore((s) => s.deletePrice);
  const [editing, setEditing] = useState(false);
  const [input, setInput] = useState(String(price.inputPerMTok));
  const [output, setOutput] = useState(String(price.outputPerMTok));
  const valid = parsePrice(input) !== null && parsePrice(output) !== null;

  if (editing) {
    return (
      <tr aria-label={price.model}>
        <th scope="row">{price.model}</th>
        <td>
          <input
            aria-label={`Input price of ${price.model}`}
            inputMode="decimal"
            value={input}
            onChange={(e) => setInput(e.target.value)}
          />
        </td>
        <td>
          <input
            aria-label={`Output price of ${price.model}`}
            inputMode="decimal"
            value={output}
            onChange={(e) => setOutput(e.target.value)}
          />
        </td>
        <td className="prices-table__actions">
          <button
            type="button"
            className="button button--primary"
            disabled={!valid}
            onClick={() =>
              void savePrice({
                model: price.model,
                inputPerMTok: parsePrice(input)!,
                outputPerMTok: parsePrice(output)!,
              }).then((ok) => ok && setEditing(false))
            }
          >
            Save
          </button>
          <button type="button" className="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </td>
      </tr>
    );
  }
  return (
    <tr aria-label={price.model}>
      <th scope="row">
        {price.model} {!price.isDefault && <span className="badge">Edited</span>}
      </th>
      <td>${price.inputPerMTok}</td>
      <td>${price.outputPerMTok}</td>
      <td className="prices-table__actions">
        <button
          type="button"
          className="button"
          aria-label={`Edit the price of ${price.model}`}
          onClick={() => setEditing(true)}
        >
          Edit
        </button>
        <button
          type="button"
          className="button"
          aria-label={`Delete the price of ${price.model}`}
          onClick={() => void deletePrice(price.model)}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

function PriceForm() {
  const savePrice = useAppStore((s) => s.savePrice);
  const [model, setModel] = useState('');
  const [input, setInput] = useState('');
  const [output, setOutput] = useState('');
  const inPrice = parsePrice(input);
  const outPrice = parsePrice(output);
  const valid = model.trim().length > 0 && model.trim().length <= 200 && inPrice !== null && outPrice !== null;
  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    if (await savePrice({ model: model.trim(), inputPerMTok: inPrice, outputPerMTok: outPrice })) {
      setModel('');
      setInput('');
      setOutput('');
    }
  };
  return (
    <form className="price-form" aria-label="Add a price" onSubmit={(e) => void add(e)}>
      <label>
        Model
        <input value={model} placeholder="e.g. my-model" onChange={(e) => setModel(e.target.value)} />
      </label>
      <label>
        Input $/1M
        <input inputMode="decimal" value={input} onChange={(e) => setInput(e.target.value)} />
      </label>
      <label>
        Output $/1M
        <input inputMode="decimal" value={output} onChange={(e) => setOutput(e.target.value)} />
      </label>
      <button type="submit" className="button" disabled={!valid}>
        Add price
      </button>
    </form>
  );
}
