import { addPerson, emptyModel, expectedValues, normalise, recordEdit } from './model';

const fields = { name: 'Amina Otieno', phone: '+254712000111', sex: 'female', birthDate: '1990-04-12' };

describe('the model', () => {
  it('expects the latest edit of a field, whichever side made it', () => {
    const model = emptyModel();
    const person = addPerson(model, { origin: 'cht', chtId: 'a', placeable: true }, fields);
    model.epoch += 1;
    recordEdit(model, person, 'openmrs', { name: 'Amina Wanjiru' });
    expect(expectedValues(person, 'name')).toEqual(['Amina Wanjiru']);
    model.epoch += 1;
    recordEdit(model, person, 'cht', { name: 'Amina W. Otieno' });
    expect(expectedValues(person, 'name')).toEqual(['Amina W. Otieno']);
  });

  it('accepts either of two edits made on both sides with no clean run between them', () => {
    const model = emptyModel();
    const person = addPerson(model, { origin: 'openmrs', openmrsUuid: 'u', placeable: true }, fields);
    model.epoch += 1;
    recordEdit(model, person, 'cht', { sex: 'male' });
    recordEdit(model, person, 'openmrs', { sex: 'female' });
    expect(expectedValues(person, 'sex')).toEqual(['male', 'female']);
  });

  it('compares as both systems spell values: spaces collapsed, phones by their last nine digits', () => {
    expect(normalise('name', ' Zoë   Otieno ')).toBe('Zoë Otieno');
    expect(normalise('phone', '0712 000 111')).toBe(normalise('phone', '+254-712-000111'));
    expect(normalise('birthDate', '1990-04-12T00:00:00')).toBe('1990-04-12');
  });
});
