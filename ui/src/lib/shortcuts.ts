export const SHORTCUTS: { keys: string; action: string }[] = [
  { keys: '/', action: 'Search commons' },
  { keys: 'n', action: 'New commons' },
  { keys: 'g c', action: 'Go to Commons' },
  { keys: 'g m', action: 'Go to Meshes' },
  { keys: 'g s', action: 'Go to Settings' },
  { keys: 'j / ↓, k / ↑', action: 'Move through the list' },
  { keys: 'Enter', action: 'Open the selected commons' },
  { keys: 'e', action: 'Edit the open commons' },
  { keys: 'Esc / Backspace', action: 'Back to the list' },
  { keys: 'Ctrl/Cmd+Enter', action: 'Save the form' },
  { keys: 'Esc', action: 'Close a dialog, clear the search' },
  { keys: '?', action: 'Show this help' },
];
