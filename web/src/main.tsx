import { render } from 'solid-js/web';
import { App } from './app.tsx';
import './styles/theme.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/feedback.css';
import './styles/responsive.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
render(() => <App />, root);
