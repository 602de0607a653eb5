import React from "react";

/** Greets someone. */
export function Greeting({ name }: { name: string }) {
  return <h1>Hello, {name}!</h1>;
}

export class Panel extends React.Component<Props> {
  render() {
    return this.props.open ? <div>{this.props.children}</div> : null;
  }
}
