import { render } from 'solid-js/web';

render(() => <h1>Atrium</h1>, document.getElementById('root')!);
