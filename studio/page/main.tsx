import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

const root = document.getElementById('app')!;
// The page's placeholder (painted before the script runs) gives way to the console.
root.textContent = '';
render(<App />, root);
